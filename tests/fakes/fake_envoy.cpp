// SPDX-License-Identifier: MIT
#include "fakes/fake_envoy.hpp"

#include "support/daemon_process.hpp"

#include <jansson.h>

#include <fstream>
#include <sstream>

namespace meteremu::test {
namespace {

std::optional<std::string> ReadIfExists(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

FakeReply Page(unsigned status, std::string title) {
    FakeReply reply;
    reply.status = status;
    reply.content_type = "text/html";
    reply.body = "<html><head><title>" + title + "</title></head><body><h1>" + title +
                 "</h1></body></html>\n";
    return reply;
}

std::string GuessType(const std::string& name, const std::string& body) {
    if (name == "info") return "application/xml";
    auto start = body.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && (body[start] == '{' || body[start] == '['))
        return "application/json";
    return "text/html";
}

/// Status and headers of a capture from its <name>_log.json, when there is one.
void ApplyLog(const std::filesystem::path& log, FakeReply& reply) {
    auto text = ReadIfExists(log);
    if (!text) return;
    json_t* root = json_loads(text->c_str(), 0, nullptr);
    if (!root) return;
    if (json_t* code = json_object_get(root, "code"); json_is_integer(code))
        reply.status = static_cast<unsigned>(json_integer_value(code));
    const char* key;
    json_t* value;
    json_object_foreach(json_object_get(root, "headers"), key, value) {
        std::string name = key;
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!json_is_string(value)) continue;
        if (name == "content-type") reply.content_type = json_string_value(value);
        if (name == "www-authenticate") reply.headers.emplace_back(key, json_string_value(value));
    }
    json_decref(root);
}

} // namespace

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
    static const std::pair<std::string_view, FaultKind> kNames[] = {
        {"none", FaultKind::None},           {"delay", FaultKind::Delay},
        {"hang", FaultKind::Hang},           {"401", FaultKind::Unauthorized},
        {"403", FaultKind::Forbidden},       {"503", FaultKind::Unavailable},
        {"502", FaultKind::BadGateway},      {"html", FaultKind::Html},
        {"truncated", FaultKind::Truncated}, {"reset", FaultKind::Reset},
    };
    for (const auto& [text, kind] : kNames)
        if (text == name) return kind;
    return std::nullopt;
}

std::string FixtureName(const std::string& path_and_query) {
    std::string name = path_and_query.substr(path_and_query.find_first_not_of('/'));
    for (auto& c : name)
        if (c == '/' || c == '?' || c == '=' || c == '&') c = '_';
    return name;
}

FakeEnvoy::FakeEnvoy(FakeEnvoyOptions options) : options_(std::move(options)) {
    server_ =
        std::make_unique<FakeServer>([this](const FakeRequest& request) { return Handle(request); },
                                     options_.port, options_.tls);
}

std::string FakeEnvoy::Host() const {
    return "127.0.0.1:" + std::to_string(Port());
}

void FakeEnvoy::SetFault(Fault fault) {
    std::lock_guard lock(mutex_);
    fault_ = std::move(fault);
}

void FakeEnvoy::SetFolder(std::filesystem::path folder) {
    std::lock_guard lock(mutex_);
    options_.folder = std::move(folder);
    sessions_.clear();
}

void FakeEnvoy::SetDown(bool down) {
    if (down)
        server_->Stop();
    else
        server_->Start();
}

void FakeEnvoy::Replace(std::optional<TlsMaterial> tls) {
    std::uint16_t port = server_->Port();
    server_->Stop();
    {
        std::lock_guard lock(mutex_);
        options_.tls = tls;
        sessions_.clear();
    }
    server_ = std::make_unique<FakeServer>(
        [this](const FakeRequest& request) { return Handle(request); }, port, std::move(tls));
}

std::optional<TlsMaterial> FakeEnvoy::Tls() const {
    std::lock_guard lock(mutex_);
    return options_.tls;
}

void FakeEnvoy::SetTokens(std::set<std::string> tokens) {
    std::lock_guard lock(mutex_);
    options_.tokens = std::move(tokens);
}

void FakeEnvoy::ForgetSessions() {
    std::lock_guard lock(mutex_);
    sessions_.clear();
}

std::vector<RecordedRequest> FakeEnvoy::Requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

int FakeEnvoy::Count(const std::string& path) const {
    std::lock_guard lock(mutex_);
    int count = 0;
    for (const auto& request : requests_)
        count += request.path == path;
    return count;
}

void FakeEnvoy::ClearRequests() {
    std::lock_guard lock(mutex_);
    requests_.clear();
    server_->ResetMaxInFlight();
}

bool FakeEnvoy::TokensRequired() const {
    auto info = ReadIfExists(options_.folder / "info").value_or("");
    auto at = info.find("<software>");
    if (at == std::string::npos) return true;
    at += std::string_view("<software>").size() + 1; // skip the letter: D8.3.5169
    return std::atoi(info.c_str() + at) >= 7;
}

std::string FakeEnvoy::Serial() const {
    auto info = ReadIfExists(options_.folder / "info").value_or("");
    auto start = info.find("<sn>");
    auto end = info.find("</sn>");
    if (start == std::string::npos || end == std::string::npos) return "";
    return info.substr(start + 4, end - start - 4);
}

FakeReply FakeEnvoy::ServeFile(const std::string& path) const {
    std::string name = FixtureName(path);
    auto body = ReadIfExists(options_.folder / name);
    if (!body && name == "production.json_details_1") {
        // pyenphase's harness serves production.json for both (SOURCES.txt caveat).
        name = "production.json";
        body = ReadIfExists(options_.folder / name);
    }
    if (!body) return Page(404, "404 Not Found");
    FakeReply reply;
    reply.body = std::move(*body);
    reply.content_type = GuessType(name, reply.body);
    ApplyLog(options_.folder / (name + "_log.json"), reply);
    return reply;
}

} // namespace meteremu::test
