/**
 * How the language server is started: the Node flags it runs with, wherever it is started — the
 * VS Code extension (client/src/extension.ts, as `execArgv`), the `netspec-language-server`
 * command (the shebang esbuild.js writes at the top of dist/server.js; the command Neovim, Helix
 * and Emacs run), and bench/editor.js (which reads that shebang). No imports.
 *
 * `--no-concurrent-recompilation`: V8 optimises hot functions on the main thread rather than on
 * its background threads. Each background thread that compiles keeps the peak of its compiles in a
 * malloc arena of its own, which glibc does not give back: on bench/editor.js's 10,000 lines, about
 * 10 MB of the server's ~100 MB at its peak. On the main thread, one arena serves every compile,
 * and a keystroke's analysis (a few ms) is too short for a background compile to overlap it much:
 * the median edit → diagnostics stays the same, and the keystroke that makes a function hot waits
 * for its compile instead (the bench's slowest keystroke: 37–58 ms, 29–45 before). V8 reads the
 * flag only at start-up (`v8.setFlagsFromString` has no effect on it
 * later), so it is an argument of the process, not set in server/src/server/main.ts.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--no-concurrent-recompilation'];
