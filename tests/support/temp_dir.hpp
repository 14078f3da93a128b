// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace meteremu::test {

/// A private directory under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& Path() const noexcept { return path_; }

    /// Writes `content` to `name` inside the directory and returns the full path.
    std::filesystem::path Write(std::string_view name, std::string_view content) const;

private:
    std::filesystem::path path_;
};

/// The content of a file; fails the test (throws) when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

/// A file of the device captures (tests/fixtures), e.g.
/// Fixture("shelly/sigelly_real_pro3em63_fw2.0.0/shelly.json").
std::string Fixture(std::string_view relative_path);

} // namespace meteremu::test
