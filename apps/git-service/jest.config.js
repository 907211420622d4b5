module.exports = { ...require('../../jest.preset.js'), displayName: 'git-service', rootDir: __dirname };
