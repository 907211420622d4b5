// Lets plain Node run the fault suite's TypeScript worker programs, which must be real child
// processes (Jest cannot SIGKILL itself): `node --conditions=@plue/source -r ./register.js x.ts`.
// The export condition makes @plue/* libs resolve to their sources, and this hook compiles every
// .ts file with swc and the repository's .swcrc, the same transform Jest uses. Only @swc/core is
// needed, a devDependency, so it works from a clean `npm ci`.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const swcrc = JSON.parse(readFileSync(path.join(__dirname, '../../../../.swcrc'), 'utf8'));
delete swcrc.$schema;

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    ...swcrc,
    swcrc: false,
    filename,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
