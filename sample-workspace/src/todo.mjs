#!/usr/bin/env node
// todo: a tiny command-line task list. The sprint's stories add the commands (see
// _bmad-output/planning-artifacts/epics.md); for now it only knows its usage line.

const [command] = process.argv.slice(2);

if (!command || command === 'help') {
  console.log('usage: todo <add|list|done|rm> [args]');
  process.exit(0);
}

console.error(`todo: unknown command "${command}"`);
process.exit(2);
