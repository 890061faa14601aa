// Package lspproxy is `sharedvet gopls`: a language server that starts
// the real gopls and stands between it and the editor, so that every
// editor that speaks to gopls shows sharedvet's findings and fixes
// beside gopls's own, with one setting.
//
// Every message passes through unchanged (byte for byte) except these:
//
//   - the editor's buffers (didOpen, didChange, didSave, didClose) are
//     tracked, and an analysis of the file's package is scheduled;
//   - gopls's textDocument/publishDiagnostics for a file is published
//     with sharedvet's diagnostics of that file appended, and an
//     analysis publishes gopls's last list with its own, so neither
//     side's list ever wipes the other's;
//   - gopls's answers to textDocument/codeAction get sharedvet's
//     suggested fixes for the diagnostics in range, and its answers to
//     textDocument/diagnostic (pull diagnostics) sharedvet's findings;
//   - the "sharedvet" key of initializationOptions is sharedvet's own
//     settings, and is taken out before gopls sees them.
//
// Analysis runs the same executable as a go vet tool on one package
// (see vet.go), in the background: the relay never waits for it.
//
// Message types come from go.lsp.dev/protocol (generated from the LSP
// meta-model) and the JSON-RPC envelope from go.lsp.dev/jsonrpc2; the
// framing is the proxy's own (frame.go) so that relayed messages are
// not re-encoded.
package lspproxy
