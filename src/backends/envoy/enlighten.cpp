// SPDX-License-Identifier: MIT
#include "backends/envoy/enlighten.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/json_fields.hpp"
#include "backends/envoy/jwt.hpp"
#include "util/json_writer.hpp"
#include "util/percent_encode.hpp"

namespace meteremu::envoy {
namespace {

constexpr Seconds kCloudTimeout{10.0}; // docs/protocols/envoy.md#enlighten-token-refresh

using Reason = EnlightenError::Reason;

ClientResponse Post(HttpClient& http, std::string url, std::string body, std::string type,
                    std::stop_token stop) {
    ClientRequest request;
    request.url = std::move(url);
    request.post_body = std::move(body);
    request.content_type = std::move(type);
    request.timeout = kCloudTimeout;
    try {
        return http.Perform(request, stop);
    } catch (const TransportError& error) {
        throw EnlightenError(Reason::Failed, error.what());
    }
}

} // namespace

std::string ParseLoginReply(long status, std::string_view body) {
    if (status == 401 || status == 403)
        throw EnlightenError(Reason::BadCredentials, "Enlighten refused the username or password");
    if (status != 200)
        throw EnlightenError(Reason::Failed,
                             "Enlighten login answered HTTP " + std::to_string(status));
    JsonPtr root;
    try {
        root = ParseJsonBody(body, "Enlighten login");
    } catch (const EnvoyError& error) {
        throw EnlightenError(Reason::Failed, error.what());
    }
    if (auto session = OptionalString(root.get(), "session_id"); session && !session->empty())
        return *session;
    const json_t* success = json_object_get(root.get(), "success");
    if (json_is_true(success) || json_object_get(root.get(), "isBlocked"))
        throw EnlightenError(Reason::MultiFactor, "the Enlighten account uses multi-factor login");
    throw EnlightenError(Reason::BadCredentials, "Enlighten login gave no session");
}

std::string ParseTokenReply(long status, std::string_view body) {
    if (status != 200)
        throw EnlightenError(Reason::Failed,
                             "the token request answered HTTP " + std::to_string(status));
    std::string_view token = TrimToken(body);
    // Entrez sometimes answers an error page instead of a token
    // (docs/protocols/envoy.md#failure-modes).
    if (token.substr(0, 3) != "eyJ")
        throw EnlightenError(Reason::Failed,
                             "the token request answered something else than a token");
    try {
        DecodeJwt(token);
    } catch (const EnvoyError& error) {
        throw EnlightenError(Reason::Failed,
                             std::string("the new token is unusable: ") + error.what());
    }
    return std::string(token);
}

std::string LogInToEnlighten(HttpClient& http, const EnlightenAccount& account,
                             std::stop_token stop) {
    std::string form = "user%5Bemail%5D=" + PercentEncode(account.username) +
                       "&user%5Bpassword%5D=" + PercentEncode(account.password);
    auto login = Post(http, account.login_url + "/login/login.json?", std::move(form),
                      "application/x-www-form-urlencoded", stop);
    return ParseLoginReply(login.status, login.body);
}

std::string RequestEnvoyToken(HttpClient& http, const EnlightenAccount& account,
                              const std::string& session, const std::string& serial,
                              std::stop_token stop) {
    std::string body = "{\"session_id\":";
    json::AppendString(body, session);
    body += ",\"serial_num\":";
    json::AppendString(body, serial);
    body += ",\"username\":";
    json::AppendString(body, account.username);
    body += '}';
    auto reply =
        Post(http, account.tokens_url + "/tokens", std::move(body), "application/json", stop);
    return ParseTokenReply(reply.status, reply.body);
}

} // namespace meteremu::envoy
