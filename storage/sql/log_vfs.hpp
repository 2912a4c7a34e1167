// The engine's file layer for the store's writer: its write-ahead log writes reach the file in
// 64 KiB calls at the commit's fsync instead of two calls per page. See log_vfs.cpp.
#pragma once

namespace atrium::storage::sql {

// Registers the VFS (once) and returns its name, or nullptr when the platform's default VFS could
// not be wrapped (the caller then opens with the default).
const char* log_buffering_vfs();

}  // namespace atrium::storage::sql
