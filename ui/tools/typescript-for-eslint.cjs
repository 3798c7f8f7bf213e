// typescript-eslint 8 needs the TypeScript 5 compiler API (it supports typescript <6.1), which
// TypeScript 7 (the native compiler we type-check with) no longer ships. This preload makes every
// require('typescript') coming from typescript-eslint resolve to the aliased TypeScript 5 package
// `typescript-5-for-eslint`; everything else (tsc, Vite) keeps TypeScript 7.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const original = Module._resolveFilename;
const fromTsEslint = new RegExp(`\\${path.sep}(@typescript-eslint|typescript-eslint|ts-api-utils)\\${path.sep}`);

Module._resolveFilename = function resolveTypescript5(request, parent, ...rest) {
  if ((request === 'typescript' || request.startsWith('typescript/')) && parent?.filename && fromTsEslint.test(parent.filename)) {
    request = request.replace(/^typescript/, 'typescript-5-for-eslint');
  }
  return original.call(this, request, parent, ...rest);
};
