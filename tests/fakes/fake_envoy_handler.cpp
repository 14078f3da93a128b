// SPDX-License-Identifier: MIT
// How the fake Envoy answers one request: token and session checks like firmware >= 7, the
// capture for the endpoint, then the fault currently switched on.
#include "fakes/fake_envoy.hpp"

#include <map>

namespace meteremu::test {
namespace {

constexpr std::chrono::minutes kLongestHang{10};

FakeReply HtmlPage(unsigned status, std::string_view body) {
    FakeReply reply;
    reply.status = status;
    reply.content_type = "text/html";
    reply.body = body;
    return reply;
}

FakeReply Unauthorized() {
    return HtmlPage(401, "<html>\n<head><title>401 Authorization Required</title></head>\n<body>"
                         "\n<center><h1>401 Authorization Required</h1></center>\n</body>\n"
                         "</html>\n");
}

FakeReply Dropped() {
    FakeReply reply;
    reply.mode = FakeReply::Mode::Drop;
    return reply;
}

std::string Bearer(const FakeRequest& request) {
    auto header = request.headers.find("authorization");
    if (header == request.headers.end() || header->second.rfind("Bearer ", 0) != 0) return "";
    return header->second.substr(7);
}

} // namespace

FakeReply FakeEnvoy::Handle(const FakeRequest& request) {
    std::string path = request.path + (request.query.empty() ? "" : "?" + request.query);
    RecordedRequest record{path, std::chrono::steady_clock::now(), !Bearer(request).empty()};
    std::optional<Fault> fault;
    {
        std::lock_guard lock(mutex_);
        bool applies = fault_.kind != FaultKind::None && fault_.count != 0 &&
                       (fault_.path.empty() || fault_.path == request.path);
        if (applies) {
            fault = fault_;
            if (fault_.count > 0) --fault_.count;
        }
    }
    FakeReply reply;
    if (auto denied = CheckAuth(request, path, record)) {
        reply = std::move(*denied);
    } else {
        std::lock_guard lock(mutex_);
        reply = ServeFile(path);
    }
    if (fault) {
        record.faulted = true;
        if (auto faulted = ApplyFault(request, path, *fault, reply)) reply = std::move(*faulted);
    }
    record.status = reply.mode == FakeReply::Mode::Drop ? 0 : reply.status;
    std::lock_guard lock(mutex_);
    record.number = next_request_number_++;
    reply.on_completed = [this, number = record.number](bool delivered) {
        MarkDelivered(number, delivered);
    };
    requests_.push_back(record);
    return reply;
}

void FakeEnvoy::MarkDelivered(std::uint64_t number, bool delivered) {
    std::lock_guard lock(mutex_);
    // Newest first: the request ending now is near the back (ClearRequests may have dropped it).
    for (auto request = requests_.rbegin(); request != requests_.rend(); ++request)
        if (request->number == number) {
            request->delivered = delivered;
            return;
        }
}

std::optional<FakeReply> FakeEnvoy::CheckAuth(const FakeRequest& request, const std::string& path,
                                              RecordedRequest& record) {
    std::lock_guard lock(mutex_);
    if (path == "/info") return std::nullopt;
    if (!TokensRequired()) return CheckDigest(request, record);
    auto cookie = request.cookies.find("sessionId");
    record.session = cookie != request.cookies.end() && sessions_.count(cookie->second);
    std::string bearer = Bearer(request);
    bool token_ok = !bearer.empty() && (options_.tokens.empty() ? bearer.rfind("eyJ", 0) == 0
                                                                : options_.tokens.count(bearer));
    if (request.path == "/auth/check_jwt") {
        if (!token_ok) return Unauthorized();
        std::string session = "fake" + std::to_string(next_session_++);
        sessions_.insert(session);
        FakeReply reply = HtmlPage(200, "<!DOCTYPE html><h2>Valid token.</h2>");
        reply.headers.emplace_back("Set-Cookie", "sessionId=" + session + "; Path=/; HttpOnly");
        return reply;
    }
    if (!record.session && !token_ok) return Unauthorized();
    return std::nullopt;
}

std::optional<FakeReply> FakeEnvoy::CheckDigest(const FakeRequest& request,
                                                RecordedRequest& record) const {
    if (!options_.digest || !request.path.starts_with("/ivp/")) return std::nullopt;
    std::string serial = Serial();
    std::string password = serial.size() > 6 ? serial.substr(serial.size() - 6) : serial;
    record.digest = request.DigestValid("enphaseenergy.com", "envoy", password);
    if (record.digest) return std::nullopt;
    FakeReply challenge;
    challenge.status = 401;
    challenge.mode = FakeReply::Mode::DigestChallenge;
    challenge.body = "enphaseenergy.com";
    return challenge;
}

std::optional<FakeReply> FakeEnvoy::ApplyFault(const FakeRequest& request, const std::string&,
                                               const Fault& fault, FakeReply& normal) {
    auto stopping = [this] { return server_->Stopping(); };
    switch (fault.kind) {
    case FaultKind::None:
        return std::nullopt;
    case FaultKind::Delay:
        if (!request.Wait(fault.delay, stopping)) return Dropped();
        return std::nullopt;
    case FaultKind::Hang:
        request.Wait(kLongestHang, [&] {
            std::lock_guard lock(mutex_);
            return stopping() || fault_.kind != FaultKind::Hang;
        });
        return Dropped();
    case FaultKind::Unauthorized:
        return Unauthorized();
    case FaultKind::Forbidden:
        return HtmlPage(403, "<html><body><h1>403 Forbidden</h1></body></html>\n");
    case FaultKind::Unavailable:
        return HtmlPage(503, "<html><body><h1>503 Service Unavailable</h1></body></html>\n");
    case FaultKind::BadGateway:
        return HtmlPage(502, "<html><body><h1>502 Bad Gateway</h1></body></html>\n");
    case FaultKind::Html:
        return HtmlPage(200, "<!DOCTYPE html><html><head><title>error</title></head><body>"
                             "Internal error</body></html>\n");
    case FaultKind::Truncated:
        normal.body.resize(normal.body.size() / 2);
        return std::nullopt;
    case FaultKind::Reset:
        normal.mode = FakeReply::Mode::ResetMidBody;
        return std::nullopt;
    }
    return std::nullopt;
}

std::string FakeEnvoy::StatsJson() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, int> paths;
    for (const auto& request : requests_)
        ++paths[request.path];
    std::string out = "{\"requests\":" + std::to_string(requests_.size()) +
                      ",\"in_flight\":" + std::to_string(InFlight()) +
                      ",\"max_in_flight\":" + std::to_string(MaxInFlight()) + ",\"paths\":{";
    bool first = true;
    for (const auto& [path, count] : paths) {
        out += (first ? "\"" : ",\"") + path + "\":" + std::to_string(count);
        first = false;
    }
    return out + "}}";
}

} // namespace meteremu::test
