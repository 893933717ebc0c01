/**
 * Jest configuration for the TypeScript benches in bench/ (run: npx jest -c bench/jest.config.js).
 * They are kept out of `jlpm test`: they time, they do not check.
 */
const path = require('path');
const base = require('../jest.config.js');

module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, '..'),
  collectCoverage: false,
  testRegex: 'bench/.*\\.test\\.ts$',
  transform: {
    ...base.transform,
    '^.+\\.tsx?$': ['ts-jest/legacy', { tsconfig: './bench/tsconfig.json' }]
  }
};
