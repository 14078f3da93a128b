// SPDX-License-Identifier: MIT
#include "fakes/fake_marstek_cloud.hpp"

#include "util/json.hpp"

#include <jansson.h>

#include <array>
#include <openssl/evp.h>

namespace meteremu::test {
namespace {

/// The MD5 the app sends as pwd, computed here on its own (not with the code under test).
std::string Md5Hex(const std::string& text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_md5(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        constexpr char kHex[] = "0123456789abcdef";
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xf];
    }
    return hex;
}

/// A query argument as libmicrohttpd decoded it, "" when absent.
std::string Argument(const FakeRequest& request, const char* key) {
    const char* value = MHD_lookup_connection_value(request.connection, MHD_GET_ARGUMENT_KIND, key);
    return value ? value : "";
}

FakeReply Json(unsigned status, std::string body) {
    FakeReply reply;
    reply.status = status;
    reply.body = std::move(body);
    reply.content_type = "text/html; charset=UTF-8"; // as PHP answers by default
    return reply;
}

std::string Dump(const JsonPtr& value) {
    JsonText text(json_dumps(value.get(), JSON_COMPACT));
    return text ? text.get() : "{}";
}

} // namespace

FakeMarstekCloud::FakeMarstekCloud(std::string email, const std::string& password)
    : email_(std::move(email)), password_md5_(Md5Hex(password)) {
    devices_.push_back({kBatteryMac, kBatteryMac, "HMG-50", "Venus", "MST_VNSE3_a1b2", "153"});
    server_ = std::make_unique<FakeServer>(
        [this](const FakeRequest& request) { return Handle(request); });
}

std::string FakeMarstekCloud::Url() const {
    return "http://127.0.0.1:" + std::to_string(server_->Port());
}

void FakeMarstekCloud::SetMode(Mode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
}

std::vector<FakeMarstekCloud::Device> FakeMarstekCloud::Devices() const {
    std::lock_guard lock(mutex_);
    return devices_;
}

int FakeMarstekCloud::Logins() const {
    std::lock_guard lock(mutex_);
    return logins_;
}

int FakeMarstekCloud::AddRequests() const {
    std::lock_guard lock(mutex_);
    return add_requests_;
}

std::string FakeMarstekCloud::LastMailbox() const {
    std::lock_guard lock(mutex_);
    return last_mailbox_;
}

FakeReply FakeMarstekCloud::Handle(const FakeRequest& request) {
    std::lock_guard lock(mutex_);
    if (request.method != "GET") return Json(405, R"({"code":"-1","msg":"method"})");
    if (mode_ == Mode::ServerError) return Json(500, "<html>Internal Server Error</html>");
    if (request.path == "/app/Solar/v2_get_device.php") return Login(request);
    if (request.path == "/app/Solar/v2_add_device.php") return Add(request);
    return Json(404, "<html>Not Found</html>");
}

FakeReply FakeMarstekCloud::Login(const FakeRequest& request) {
    ++logins_;
    last_mailbox_ = Argument(request, "mailbox");
    if (last_mailbox_ != email_ || Argument(request, "pwd") != password_md5_)
        return Json(200, R"({"code":"-1","msg":"The password is incorrect"})");
    return Json(200, DeviceList());
}

FakeReply FakeMarstekCloud::Add(const FakeRequest& request) {
    ++add_requests_;
    if (Argument(request, "token") != kToken)
        return Json(200, R"({"code":"-1","msg":"token invalid"})");
    if (mode_ != Mode::AddNotListed)
        devices_.push_back({Argument(request, "devid"), Argument(request, "mac"),
                            Argument(request, "type"), Argument(request, "name"),
                            Argument(request, "bluetooth_name"), Argument(request, "version")});
    return Json(200, R"({"code":"1","msg":"add success"})");
}

std::string FakeMarstekCloud::DeviceList() const {
    JsonPtr list(json_array());
    for (const Device& device : devices_)
        json_array_append_new(list.get(),
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "devid", device.devid.c_str(),
                                        "mac", device.mac.c_str(), "type", device.type.c_str(),
                                        "name", device.name.c_str(), "bluetooth_name",
                                        device.bluetooth_name.c_str(), "version",
                                        device.version.c_str()));
    JsonPtr root(json_pack("{s:s,s:s,s:s,s:O}", "code", "2", "msg", "Success", "token", kToken,
                           "data", list.get()));
    return Dump(root);
}

} // namespace meteremu::test
