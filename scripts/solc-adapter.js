#!/usr/bin/env node
// Native-solc-compatible CLI over solc-js, for brownie, py-solc-x and slither on offline machines.
// Speaks only what those tools use: `--version` and `--standard-json` (input on stdin).
// Unlike the `solcjs` CLI it prints nothing but the JSON and resolves imports from disk.
'use strict';
const fs = require('fs');
const path = require('path');

const projectRoot = path.resolve(__dirname, '..');
const solc = require(path.join(projectRoot, 'node_modules', 'solc'));

const searchRoots = [process.cwd(), projectRoot, path.join(projectRoot, 'node_modules')];

function readFromDisk(importPath) {
  for (const root of searchRoots) {
    const candidate = path.resolve(root, importPath);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
  }
  return { error: `File not found: ${importPath} (searched ${searchRoots.join(', ')})` };
}

function main(args) {
  if (args.includes('--version')) {
    process.stdout.write(
      `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`
    );
    return 0;
  }
  if (args.includes('--standard-json')) {
    const input = fs.readFileSync(0, 'utf8');
    process.stdout.write(solc.compile(input, { import: readFromDisk }));
    return 0;
  }
  process.stderr.write(
    'solc-adapter: only --version and --standard-json are supported (solc-js ' +
      solc.version() + ')\n'
  );
  return 2;
}

process.exitCode = main(process.argv.slice(2));
