// SPDX-License-Identifier: MIT
#include "fakes/fake_enlighten.hpp"

#include <jansson.h>

#include <map>

namespace meteremu::test {
namespace {

constexpr char kSession[] = "0123456789abcdef0123456789abcdef";

FakeReply Json(unsigned status, std::string body) {
    FakeReply reply;
    reply.status = status;
    reply.body = std::move(body);
    return reply;
}

} // namespace

FakeEnlighten::FakeEnlighten(std::string username, std::string password, std::string token)
    : username_(std::move(username)), password_(std::move(password)), token_(std::move(token)) {
    server_ = std::make_unique<FakeServer>(
        [this](const FakeRequest& request) { return Handle(request); });
}

std::string FakeEnlighten::Url() const {
    return "http://127.0.0.1:" + std::to_string(server_->Port());
}

void FakeEnlighten::SetMode(Mode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
}

void FakeEnlighten::SetToken(std::string token) {
    std::lock_guard lock(mutex_);
    token_ = std::move(token);
}

int FakeEnlighten::Logins() const {
    std::lock_guard lock(mutex_);
    return logins_;
}

int FakeEnlighten::TokenRequests() const {
    std::lock_guard lock(mutex_);
    return token_requests_;
}

std::string FakeEnlighten::LastSerial() const {
    std::lock_guard lock(mutex_);
    return last_serial_;
}

FakeReply FakeEnlighten::Handle(const FakeRequest& request) {
    std::lock_guard lock(mutex_);
    if (request.method != "POST") return Json(405, R"({"error":"method"})");
    if (request.path == "/login/login.json") return Login(request);
    if (request.path == "/tokens") return Token(request);
    return Json(404, R"({"error":"not found"})");
}

FakeReply FakeEnlighten::Login(const FakeRequest& request) {
    ++logins_;
    auto form = ParseForm(request.body);
    if (mode_ == Mode::BadCredentials || form["user[email]"] != username_ ||
        form["user[password]"] != password_)
        return Json(401, R"({"message":"Invalid email or password"})");
    if (mode_ == Mode::MultiFactor) {
        FakeReply reply = Json(200, R"({"success":true,"isBlocked":false})");
        reply.headers.emplace_back("Set-Cookie", "login_otp_nonce=abc; Path=/");
        return reply;
    }
    FakeReply reply = Json(200, std::string(R"({"message":"success","session_id":")") + kSession +
                                    R"(","manager_token":"m","is_consumer":true,)"
                                    R"("system_id":"1","redirect_url":""})");
    reply.headers.emplace_back("Set-Cookie", std::string("_enlighten_4_session=") + kSession);
    return reply;
}

FakeReply FakeEnlighten::Token(const FakeRequest& request) {
    ++token_requests_;
    json_t* root = json_loads(request.body.c_str(), 0, nullptr);
    std::string session, serial, username;
    if (root) {
        if (auto* value = json_string_value(json_object_get(root, "session_id"))) session = value;
        if (auto* value = json_string_value(json_object_get(root, "serial_num"))) serial = value;
        if (auto* value = json_string_value(json_object_get(root, "username"))) username = value;
        json_decref(root);
    }
    last_serial_ = serial;
    if (session != kSession || username != username_)
        return Json(401, R"({"message":"bad session"})");
    FakeReply reply;
    reply.content_type = "text/html";
    reply.body =
        mode_ == Mode::ErrorPage ? "<textarea>Error in generating Token</textarea>" : token_;
    return reply;
}

} // namespace meteremu::test
