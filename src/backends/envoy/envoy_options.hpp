// SPDX-License-Identifier: MIT
#pragma once

#include "backends/backend.hpp"

#include <string>

namespace meteremu {

/// [backend] keys of type = "envoy". The token and password are secrets: never log them.
struct EnvoyOptions : BackendOptions {
    std::string host;
    std::string token;
    std::string token_file;
    bool verify_ssl = false;
    std::string ca_file;
    /// Poll a gateway with firmware older than 7 over plain HTTP; never with a token,
    /// ca_file, verify_ssl or a pinned gateway.
    bool allow_http = false;
    std::string username;
    std::string password;
    std::string serial;
    /// Enphase's cloud, for fetching tokens; settings so tests can use a fake.
    std::string enlighten_url = "https://enlighten.enphaseenergy.com";
    std::string entrez_url = "https://entrez.enphaseenergy.com";
};

std::unique_ptr<BackendOptions> ParseEnvoyOptions(ConfigSection& section);

extern const BackendPlugin envoy_backend_plugin;

} // namespace meteremu
