#!/usr/bin/env node
// The CLI entry point; the program itself is TypeScript, run natively by Node 24.
import '../src/cli/main.ts';
