// SPDX-License-Identifier: MIT
// What the Envoy integration tests share: a fake Envoy serving a capture folder (HTTPS with a
// fresh self-signed certificate for firmware >= 7, plain HTTP before), the built daemon
// configured against it with its own state directory, and reading numbers out of its replies.
#pragma once

#include "fakes/fake_envoy.hpp"
#include "support/daemon_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meteremu::test {

std::filesystem::path EnvoyFolder(const std::string& name);
/// Every folder of fixtures/envoy, sorted.
std::vector<std::string> EnvoyFolderNames();
/// A copy of capture `folder` (in `directory`) whose /info reports `serial`: a firmware update
/// of the same gateway, which keeps its serial (and so its pin).
std::filesystem::path CopyWithSerial(const std::filesystem::path& directory,
                                     const std::string& folder, const std::string& serial);
/// The <sn> of a capture folder's /info.
std::string FolderSerial(const std::filesystem::path& folder);
/// Whether the folder's /info firmware is 7 or later (HTTPS and tokens).
bool FolderUsesTokens(const std::filesystem::path& folder);

/// The number after "key": in a JSON reply; nullopt when absent or null.
std::optional<double> ReplyNumber(const std::string& body, const std::string& key);

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

/// How often `text` occurs in `haystack`.
int Occurrences(const std::string& haystack, const std::string& text);

class EnvoyRig {
public:
    /// Starts a fake Envoy on `folder` (a path). Its token, when it needs one, is `token`.
    explicit EnvoyRig(const std::filesystem::path& folder);

    FakeEnvoy& Envoy() { return *envoy_; }
    const TempDir& Dir() const { return dir_; }
    std::filesystem::path StateDirectory() const { return dir_.Path() / "state"; }

    /// The [backend] lines for this Envoy (host, token), to which `extra` lines are added.
    std::string BackendConfig(const std::string& token, const std::string& extra) const;

    /// Starts meteremu with [frontend] on loopback and `backend` as [backend] section body;
    /// `environment` ("NAME=value") is added to STATE_DIRECTORY.
    RunningDaemon& StartDaemon(const std::string& backend, const std::string& frontend_extra = "",
                               std::vector<std::string> environment = {});
    RunningDaemon& Daemon() { return daemon_; }

    HttpResult Get(const std::string& path) const { return HttpGet(daemon_.Url(path)); }
    /// Everything the daemon printed so far.
    std::string Output() const;

private:
    TempDir dir_;
    std::unique_ptr<FakeEnvoy> envoy_;
    RunningDaemon daemon_;
};

/// A valid-looking owner token for `serial`, expiring in a year.
std::string YearToken(const std::string& serial = "");

} // namespace meteremu::test
