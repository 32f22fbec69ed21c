// The one redactor agent output passes before anything keeps or shows it.
import { strict as assert } from 'node:assert';
import { SecretRedactor } from '../../../src/core/agent/SecretRedactor';

describe('SecretRedactor', () => {
  const env = {
    ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefgh',
    GITHUB_TOKEN: 'ghp_1234567890',
    DB_PASSWORD: 'pa"ss\\word99',
    MY_AUTH: 'short',
    SSH_AUTH_SOCK: '/tmp/ssh-XXXX/agent.1',
    HOME: '/home/someone-long',
    PATH: '/usr/bin:/bin',
  };
  const r = SecretRedactor.fromEnv(env);

  it('replaces the values of secret-looking variables (8+ characters) with a marker naming the variable', () => {
    assert.equal(r.redact('+ export ANTHROPIC_API_KEY=sk-ant-api03-abcdefgh'), '+ export ANTHROPIC_API_KEY=[REDACTED:ANTHROPIC_API_KEY]');
    assert.equal(r.redact('a ghp_1234567890 b ghp_1234567890'), 'a [REDACTED:GITHUB_TOKEN] b [REDACTED:GITHUB_TOKEN]');
  });

  it('finds a value inside a JSON string, where quotes and backslashes are escaped', () => {
    const line = JSON.stringify({ type: 'user', content: `pw=${env.DB_PASSWORD}` });
    const out = r.redact(line);
    assert.ok(!out.includes('pa\\"ss'), out);
    assert.deepEqual(JSON.parse(out), { type: 'user', content: 'pw=[REDACTED:DB_PASSWORD]' });
  });

  it('leaves short values, locations and ordinary variables alone', () => {
    assert.equal(r.redact('short /tmp/ssh-XXXX/agent.1 /home/someone-long /usr/bin:/bin'), 'short /tmp/ssh-XXXX/agent.1 /home/someone-long /usr/bin:/bin');
    assert.equal(SecretRedactor.fromEnv({ HOME: '/home/x', LANG: 'en_US.UTF-8' }).empty, true);
  });
});
