// A stand-alone orchestrator for the orphan test: runs one hanging step through ClaudeAgent and waits
// to be SIGKILLed. argv: <claude program> <workspace root> <state dir> <scenario file> [snapshot interval ms]
import { ClaudeAgent } from '../../../../src/infra/claude/ClaudeAgent';

const [sim, root, stateDir, scenario, snapshotMs] = process.argv.slice(2);
const agent = new ClaudeAgent({
  command: sim,
  logDir: `${stateDir}/logs`,
  stateDir,
  snapshotIntervalMs: snapshotMs ? Number(snapshotMs) : 100,
  env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: scenario },
});
void agent.execute({
  runId: 'r', batchId: 1, cycle: 1, stepKey: 'c1/dev-story/1-1/a1', command: 'dev-story', storyKeys: ['1-1-hello-world'],
  epicId: '1', attempt: 1, prompt: 'hang', cwd: root, env: {}, signal: new AbortController().signal,
});
