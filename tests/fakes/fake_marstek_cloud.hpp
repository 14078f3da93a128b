// SPDX-License-Identifier: MIT
// A fake of the Marstek app's cloud API (docs/protocols/marstek-cloud.md) on plain HTTP on
// loopback: the login that lists the account's devices (v2_get_device.php) and the call that
// adds one (v2_add_device.php). It checks the e-mail and that pwd is the MD5 of the password,
// hands out a token, and records what is added; failure modes play a cloud that accepts a
// meter without creating it and one that answers HTTP 500.
#pragma once

#include "fakes/fake_server.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace meteremu::test {

class FakeMarstekCloud {
public:
    enum class Mode {
        Normal,
        AddNotListed, ///< the add is answered as accepted, but the device never shows up
        ServerError,  ///< every call answers HTTP 500
    };

    struct Device {
        std::string devid;
        std::string mac;
        std::string type;
        std::string name;
        std::string bluetooth_name;
        std::string version;
    };

    /// The account of `email` and `password`, with one battery in it already.
    FakeMarstekCloud(std::string email, const std::string& password);

    /// "http://127.0.0.1:<port>"
    std::string Url() const;
    void SetMode(Mode mode);

    /// The account's devices, as listed: the battery first, then the added ones.
    std::vector<Device> Devices() const;
    int Logins() const;
    int AddRequests() const;
    /// The mailbox of the last login, as the server decoded it.
    std::string LastMailbox() const;

    static constexpr const char* kToken = "f4k3t0k3n";
    static constexpr const char* kBatteryMac = "acd929a1b2c3";

private:
    FakeReply Handle(const FakeRequest& request);
    FakeReply Login(const FakeRequest& request);
    FakeReply Add(const FakeRequest& request);
    std::string DeviceList() const;

    mutable std::mutex mutex_;
    std::string email_;
    std::string password_md5_;
    Mode mode_ = Mode::Normal;
    std::vector<Device> devices_;
    int logins_ = 0;
    int add_requests_ = 0;
    std::string last_mailbox_;
    std::unique_ptr<FakeServer> server_;
};

} // namespace meteremu::test
