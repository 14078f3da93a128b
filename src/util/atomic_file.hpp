// SPDX-License-Identifier: MIT
// Small state files written so that a crash or power cut leaves either the old or the new
// content, never a mix: write a temporary file beside it, fsync, rename over it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace meteremu {

/// Replaces `path` with `content`, created with `mode` (e.g. 0600 for secrets).
/// Throws std::system_error naming the path.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view content, mode_t mode);

/// The whole file, or nullopt when it does not exist. Throws std::system_error otherwise.
std::optional<std::string> ReadSmallFile(const std::filesystem::path& path);

} // namespace meteremu
