export { isGlob, globToRegExp, matchesGlob } from './branch-glob';
