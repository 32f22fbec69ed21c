// Tests drive sim-claude, which, like the real CLI, refuses bypassPermissions as root unless
// IS_SANDBOX=1. Test workspaces are throw-away temp folders, which is what that variable declares;
// tests of the refusal itself remove it from their child's environment explicitly.
if (process.getuid?.() === 0 && !process.env.IS_SANDBOX) process.env.IS_SANDBOX = '1';
