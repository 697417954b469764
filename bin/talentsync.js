#!/usr/bin/env node
// The CLI entry point; the program itself is TypeScript, run natively by Node 24.
// Node's compile cache (in the system's temporary folder) keeps the modules compiled, TypeScript
// stripped, between runs: a later start skips most of the work of loading two thousand modules. It is
// turned on before the program is imported, which is why that import is dynamic.
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/main.ts');
