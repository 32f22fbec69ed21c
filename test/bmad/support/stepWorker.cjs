#!/usr/bin/env node
// The step's file work, run by the real Claude CLI's Bash tool when the mock Messages API asks for it.
// It acts on the SPRINT_RUNNER_* environment the runner gives every child (as sim-claude does): writes
// the files a BMAD workflow writes, moves ledger statuses, commits the batch, and prints the markers the
// step needs; the mock returns that output as the model's final answer. Each run appends what it saw to
// $SPRINT_RUNNER_TEST_TRACE (one JSON line) so the test can check the environment children get.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const env = process.env;
const command = env.SPRINT_RUNNER_COMMAND || '';
const keys = (env.SPRINT_RUNNER_STORY_KEYS || '').split(',').filter(Boolean);
const ids = (env.SPRINT_RUNNER_STORY_IDS || '').split(',').filter(Boolean);
const storyDir = env.SPRINT_RUNNER_STORY_DIR || env.SPRINT_RUNNER_ARTIFACTS || '';
const ledger = env.SPRINT_RUNNER_LEDGER || '';

if (env.SPRINT_RUNNER_TEST_TRACE) {
  const seen = {};
  for (const k of Object.keys(env).sort()) if (k.startsWith('SPRINT_RUNNER_') && k !== 'SPRINT_RUNNER_TEST_TRACE') seen[k] = env[k];
  fs.appendFileSync(env.SPRINT_RUNNER_TEST_TRACE, `${JSON.stringify({ cwd: process.cwd(), env: seen })}\n`);
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** `key: value` in the ledger, only the value's bytes, only from the listed statuses. */
function setStatus(key, to, from) {
  if (!ledger || !fs.existsSync(ledger)) return;
  const text = fs.readFileSync(ledger, 'utf8');
  const m = new RegExp(`^([ \\t]+${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*:[ \\t]*)([A-Za-z-]+)`, 'm').exec(text);
  if (!m || !from.includes(m[2])) return;
  const at = m.index + m[1].length;
  write(ledger, text.slice(0, at) + to + text.slice(at + m[2].length));
}

function log(id, task, status, message) {
  if (env.SPRINT_RUNNER_LOG) execFileSync('sh', [env.SPRINT_RUNNER_LOG, '--story', id, task, status, message], { stdio: 'inherit' });
}

const out = [];
switch (command) {
  case 'generate-project-context':
    write(env.SPRINT_RUNNER_CONTEXT_FILE, '# Project Context\n\n- Tests: npm test\n');
    out.push('Project context written.');
    break;
  case 'create-story':
    keys.forEach((key, i) => {
      log(ids[i], 'setup', 'start', `Creating ${ids[i]}`);
      write(path.join(storyDir, `${key}.md`), `# Story ${ids[i]}\n\nStatus: ready-for-dev\n\n## Acceptance Criteria\n\n1. It works.\n`);
      setStatus(key, 'ready-for-dev', ['backlog']);
      log(ids[i], 'setup', 'end', 'Story written (files:1)');
      out.push(`Story ${ids[i]}: [TECH-SPEC-DECISION: SKIP]`);
    });
    break;
  case 'create-story-discovery':
    for (const key of keys) write(path.join(storyDir, `${key}-discovery-story.md`), `# Discovery: ${key}\n`);
    out.push('Discovery written.');
    break;
  case 'story-review':
  case 'tech-spec-review':
    out.push('Reviewed.', '[CRITICAL-ISSUES-FOUND: NO]');
    break;
  case 'create-tech-spec':
    for (const key of keys) write(path.join(storyDir, `tech-spec-${key}.md`), `# Tech Spec: ${key}\n`);
    out.push('Tech spec written.');
    break;
  case 'dev-story':
    setStatus(keys[0], 'in-progress', ['ready-for-dev', 'backlog']);
    write(path.join(process.cwd(), 'src', `${ids[0]}.js`), `module.exports = () => '${ids[0]}';\n`);
    setStatus(keys[0], 'review', ['in-progress']);
    out.push(`Implemented ${ids[0]}.`);
    break;
  case 'code-review':
    out.push('ZERO ISSUES', 'HIGHEST SEVERITY: NONE', 'Issues: 0 CRITICAL, 0 HIGH, 0 MEDIUM, 0 LOW');
    break;
  case 'batch-commit': {
    const msg = `feat(${env.SPRINT_RUNNER_EPIC_ID}): implement stories ${ids.join(',')}`;
    execFileSync('git', ['add', '-A'], { stdio: 'ignore' });
    execFileSync('git', ['-c', 'user.name=step-worker', '-c', 'user.email=step-worker@localhost', 'commit', '-q', '-m', msg], { stdio: 'ignore' });
    out.push(`Committed: ${msg}`);
    break;
  }
  default:
    out.push(`step worker: unknown SPRINT_RUNNER_COMMAND "${command}"`);
    process.exitCode = 1;
}
process.stdout.write(`${out.join('\n')}\n`);
