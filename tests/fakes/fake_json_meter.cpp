// SPDX-License-Identifier: MIT
#include "fakes/fake_json_meter.hpp"

#include <thread>

namespace meteremu::test {
namespace {

/// Shelly Gen2 devices name their id as the realm.
constexpr char kRealm[] = "shellypro3em-fake";

} // namespace

FakeJsonMeter::FakeJsonMeter(FakeJsonMeterOptions options, std::string body)
    : options_(std::move(options)), body_(std::move(body)),
      server_(std::make_unique<FakeServer>([this](const FakeRequest& r) { return Handle(r); })) {}

std::string FakeJsonMeter::Host() const {
    return "127.0.0.1:" + std::to_string(server_->Port());
}

std::string FakeJsonMeter::Url() const {
    return "http://" + Host() + options_.path;
}

unsigned FakeJsonMeter::SetBody(std::string body) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
    return ++body_number_;
}

void FakeJsonMeter::SetFault(Fault fault) {
    std::lock_guard lock(mutex_);
    fault_ = fault;
}

void FakeJsonMeter::SetPassword(std::string password) {
    std::lock_guard lock(mutex_);
    options_.password = std::move(password);
}

void FakeJsonMeter::SetDown(bool down) {
    if (down)
        server_->Stop();
    else
        server_->Start();
}

std::optional<std::chrono::steady_clock::time_point>
FakeJsonMeter::DeliveredAt(unsigned number) const {
    std::lock_guard lock(mutex_);
    if (delivered_number_ != number) return std::nullopt;
    return delivered_at_;
}

int FakeJsonMeter::Served() const {
    std::lock_guard lock(mutex_);
    return served_;
}

int FakeJsonMeter::Refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

bool FakeJsonMeter::Authorized(const FakeRequest& request, FakeReply& refusal) const {
    using Auth = FakeJsonMeterOptions::Auth;
    if (options_.auth == Auth::None) return true;
    if (options_.auth == Auth::TasmotaQuery) {
        auto arguments = ParseForm(request.query);
        if (arguments["user"] == options_.user && arguments["password"] == options_.password)
            return true;
        refusal.status = 401;
        refusal.body = R"({"WARNING":"Need user=<username>&password=<password>"})";
        return false;
    }
    if (options_.auth == Auth::Basic) {
        if (request.BasicValid(options_.user, options_.password)) return true;
        refusal.status = 401;
        refusal.headers.emplace_back("WWW-Authenticate", "Basic realm=\"fake\"");
        refusal.body = R"({"code":401,"message":"unauthorized"})";
        return false;
    }
    if (request.DigestValid(kRealm, options_.user, options_.password, MHD_DIGEST_ALG_SHA256))
        return true;
    refusal.mode = FakeReply::Mode::DigestChallenge;
    refusal.digest_algorithm = MHD_DIGEST_ALG_SHA256;
    refusal.body = kRealm;
    return false;
}

FakeReply FakeJsonMeter::Handle(const FakeRequest& request) {
    FakeReply reply;
    Fault fault;
    unsigned number = 0;
    {
        std::lock_guard lock(mutex_);
        if (request.path != options_.path) {
            reply.status = 404;
            reply.body = R"({"code":404,"message":"not found"})";
            return reply;
        }
        if (!Authorized(request, reply)) {
            // A digest login's first request carries no credentials: only a second is refused.
            if (request.headers.contains("authorization") ||
                request.query.find("password=") != std::string::npos)
                ++refused_;
            return reply;
        }
        fault = fault_;
        reply.body = fault == Fault::Garbage ? "\x01garbage{{{" : body_;
        number = body_number_;
        ++served_;
    }
    if (fault == Fault::Hang) {
        request.Wait(std::chrono::seconds(60), [this] {
            std::lock_guard lock(mutex_);
            return fault_ != Fault::Hang || server_->Stopping();
        });
        reply.mode = FakeReply::Mode::Drop;
        return reply;
    }
    // Handed to the server now: the client has it a moment later, never earlier. (The
    // server's completion callback may run after the client has read the answer.)
    std::lock_guard lock(mutex_);
    if (delivered_number_ != number) {
        delivered_number_ = number;
        delivered_at_ = std::chrono::steady_clock::now();
    }
    return reply;
}

} // namespace meteremu::test
