// SPDX-License-Identifier: MIT
#include "backends/envoy/envoy_options.hpp"

#include "backends/envoy/envoy_backend.hpp"
#include "config/config_section.hpp"

namespace meteremu {
namespace {

void ReadString(ConfigSection& section, std::string_view key, std::string& target) {
    if (auto value = section.String(key)) target = *value;
}

void ParseHost(ConfigSection& section, EnvoyOptions& options) {
    if (!section.Has("host")) {
        section.ErrorMissing("host", "set host to the Envoy's IP address or host name, e.g. "
                                     "host = \"192.168.1.50\"");
        return;
    }
    ReadString(section, "host", options.host);
    if (options.host.empty() && section.String("host"))
        section.ErrorAt("host", "is empty: set it to the Envoy's IP address or host name");
    else if (options.host.find_first_of("/ ") != std::string::npos)
        section.ErrorAt("host", "expected only the Envoy's address or host name (optionally "
                                "with :port), without http:// or a path");
}

void ParseUrl(ConfigSection& section, std::string_view key, std::string& target) {
    ReadString(section, key, target);
    while (!target.empty() && target.back() == '/')
        target.pop_back();
    if (target.rfind("https://", 0) != 0 && target.rfind("http://", 0) != 0)
        section.ErrorAt(key, "expected a URL starting with https:// (or http://)");
}

void CheckCombinations(ConfigSection& section, const EnvoyOptions& options) {
    if (!options.token.empty() && !options.token_file.empty())
        section.ErrorAt("token_file", "set token or token_file, not both");
    if (options.username.empty() != options.password.empty())
        section.ErrorAt(options.username.empty() ? "password" : "username",
                        "the Enlighten login needs both username and password");
    if (!options.ca_file.empty() && !options.verify_ssl)
        section.WarningAt("ca_file", "is only used with verify_ssl = true");
    bool needs_https = options.verify_ssl || !options.ca_file.empty() || !options.token.empty() ||
                       !options.token_file.empty();
    if (options.allow_http && needs_https)
        section.WarningAt("allow_http", "has no effect with token, token_file, ca_file or "
                                        "verify_ssl = true: those call for HTTPS");
}

} // namespace

std::unique_ptr<BackendOptions> ParseEnvoyOptions(ConfigSection& section) {
    auto options = std::make_unique<EnvoyOptions>();
    ParseHost(section, *options);
    ReadString(section, "token", options->token);
    ReadString(section, "token_file", options->token_file);
    if (auto verify = section.Bool("verify_ssl")) options->verify_ssl = *verify;
    ReadString(section, "ca_file", options->ca_file);
    if (auto allow = section.Bool("allow_http")) options->allow_http = *allow;
    ReadString(section, "username", options->username);
    ReadString(section, "password", options->password);
    ReadString(section, "serial", options->serial);
    ParseUrl(section, "enlighten_url", options->enlighten_url);
    ParseUrl(section, "entrez_url", options->entrez_url);
    CheckCombinations(section, *options);
    return options;
}

namespace {

std::unique_ptr<Backend> CreateEnvoy(const BackendOptions& options, const BackendContext& context) {
    return std::make_unique<envoy::EnvoyBackend>(static_cast<const EnvoyOptions&>(options),
                                                 context);
}

} // namespace

const BackendPlugin envoy_backend_plugin{"envoy", ParseEnvoyOptions, CreateEnvoy};

} // namespace meteremu
