// SPDX-License-Identifier: MIT
// Creating a meter in the Marstek cloud (docs/protocols/marstek-cloud.md): the pieces of the
// requests, the login's answers, and the whole against a fake of the cloud on loopback, its
// failures included, whose messages never carry the password.
#include "fakes/fake_marstek_cloud.hpp"
#include "frontends/ct002/marstek_cloud.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace meteremu::marstek {
namespace {

using Reason = MarstekCloudError::Reason;
using test::FakeMarstekCloud;

constexpr const char* kEmail = "j+meter@example.com";
constexpr const char* kPassword = "S3cret&pass=word";

std::string Lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

HttpClient NewClient() {
    return HttpClient(HttpClientOptions{});
}

/// The error CreateManagedCt throws against `url` with `password`.
MarstekCloudError FailureOf(const std::string& url, const std::string& password,
                            std::string_view type = kCt002Type) {
    HttpClient http{HttpClientOptions{}};
    try {
        CreateManagedCt(http, url, {kEmail, password}, type);
    } catch (const MarstekCloudError& error) {
        return error;
    }
    ADD_FAILURE() << "no MarstekCloudError";
    return {Reason::Server, ""};
}

void ExpectNoSecret(const MarstekCloudError& error) {
    std::string message = error.what();
    EXPECT_EQ(message.find(kPassword), std::string::npos) << message;
    EXPECT_EQ(message.find(Md5Hex(kPassword)), std::string::npos) << message;
    EXPECT_EQ(message.find(FakeMarstekCloud::kToken), std::string::npos) << message;
}

TEST(MarstekCloudTest, DrawsLocallyAdministeredMacsWithTheMarstekPrefix) {
    std::set<std::string> drawn;
    for (int i = 0; i < 8; ++i) {
        std::string mac = NewCtMac();
        ASSERT_EQ(mac.size(), 12u) << mac;
        EXPECT_TRUE(mac.starts_with("02b250")) << mac;
        EXPECT_EQ(mac.find_first_not_of("0123456789abcdef"), std::string::npos) << mac;
        drawn.insert(mac);
    }
    EXPECT_GT(drawn.size(), 1u); // random: eight equal draws would be a broken source
}

TEST(MarstekCloudTest, NamesTheMeterAsARealOneAdvertisesItself) {
    EXPECT_EQ(CtBluetoothName("02b250a1b2c3"), "MST-SMR_B2C3");
    EXPECT_EQ(CtBluetoothName("02B250A1B2C3"), "MST-SMR_B2C3");
}

TEST(MarstekCloudTest, HashesThePasswordAsLowercaseMd5) {
    EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(Md5Hex("password"), "5f4dcc3b5aa765d61d8327deb882cf99");
}

TEST(MarstekCloudTest, EscapesEveryQueryValue) {
    std::string url = QueryUrl("https://eu.hamedata.com/", "/app/Solar/v2_get_device.php",
                               {{"mailbox", "j+x@example.com"}, {"pwd", "a&b=c d"}});
    // libcurl writes a space as '+', so a '+' of the address must become %2B.
    EXPECT_EQ(Lower(url), "https://eu.hamedata.com/app/solar/v2_get_device.php"
                          "?mailbox=j%2bx%40example.com&pwd=a%26b%3dc+d");
}

TEST(MarstekCloudTest, AcceptsHttpsAndLoopbackHttpOnly) {
    EXPECT_NO_THROW(CheckApiUrl("https://eu.hamedata.com"));
    EXPECT_NO_THROW(CheckApiUrl("https://eu.hamedata.com/"));
    EXPECT_NO_THROW(CheckApiUrl("http://127.0.0.1:8080"));
    EXPECT_NO_THROW(CheckApiUrl("http://127.3.2.1"));
    EXPECT_NO_THROW(CheckApiUrl("http://[::1]:8080/"));
    EXPECT_NO_THROW(CheckApiUrl("http://localhost:8080"));
    for (const char* bad : {"http://eu.hamedata.com", "http://192.168.1.2", "ftp://127.0.0.1",
                            "eu.hamedata.com", "", "https://user:pw@eu.hamedata.com",
                            "https://eu.hamedata.com/?a=1", "https://eu.hamedata.com/#x"})
        EXPECT_THROW(CheckApiUrl(bad), std::invalid_argument) << bad;
    EXPECT_EQ(ApiHost("https://eu.hamedata.com/x"), "eu.hamedata.com");
}

TEST(MarstekCloudTest, KeepsCloudTextOnOneLineOfAscii) {
    EXPECT_EQ(SanitizedText("bad\r\nline\x1b[31m"), "bad??line?[31m");
    EXPECT_EQ(SanitizedText("f\xc3\xa9"), "f??");
    EXPECT_EQ(SanitizedText(std::string(100, 'x'), 10), "xxxxxxxxxx...");
}

TEST(MarstekCloudTest, ReadsTheTokenAndTheDevicesOfALogin) {
    MarstekSession session = ParseLoginReply(
        200, R"({"code":"2","msg":"Success","token":"t0k","data":[)"
             R"({"devid":"ACD929A1B2C3","mac":"acd929a1b2c3","type":"HMG-50"},)"
             R"({"devid":"02b250000001","type":"HME-4"},{"mac":"02b250000002"},7]})");
    EXPECT_EQ(session.token, "t0k");
    ASSERT_EQ(session.devices.size(), 4u);
    EXPECT_EQ(session.devices[0].type, "HMG-50");
    EXPECT_TRUE(session.Lists("acd929a1b2c3"));
    EXPECT_TRUE(session.Lists("02B250000001")); // devid only, other case
    EXPECT_TRUE(session.Lists("02b250000002")); // mac only
    EXPECT_FALSE(session.Lists("02b250000003"));
    EXPECT_TRUE(ParseLoginReply(200, R"({"token":"t"})").devices.empty());
}

/// The error ParseLoginReply throws for this answer.
MarstekCloudError LoginError(long status, std::string_view body) {
    try {
        ParseLoginReply(status, body);
    } catch (const MarstekCloudError& error) {
        return error;
    }
    ADD_FAILURE() << "no MarstekCloudError for " << body;
    return {Reason::Server, ""};
}

TEST(MarstekCloudTest, TellsRefusedLoginsFromBrokenAnswers) {
    auto refused = LoginError(200, "{\"code\":\"-1\",\"msg\":\"wrong\\u001b password\"}");
    EXPECT_EQ(refused.GetReason(), Reason::LoginRefused);
    EXPECT_STREQ(refused.what(), "the Marstek cloud refused the login: wrong? password");
    EXPECT_STREQ(LoginError(200, R"({"token":""})").what(), "the Marstek cloud refused the login");
    EXPECT_EQ(LoginError(500, "{}").GetReason(), Reason::Server);
    EXPECT_EQ(LoginError(200, "<html>busy</html>").GetReason(), Reason::Server);
    EXPECT_EQ(LoginError(200, "[1]").GetReason(), Reason::Server);
}

TEST(MarstekCloudTest, CreatesAMeterTheAccountThenLists) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    HttpClient http = NewClient();
    std::string mac = CreateManagedCt(http, cloud.Url(), {kEmail, kPassword}, kCt003Type);
    EXPECT_TRUE(mac.starts_with("02b250")) << mac;
    EXPECT_EQ(cloud.LastMailbox(), kEmail); // the '+' arrived as a '+'
    EXPECT_EQ(cloud.Logins(), 2);
    auto devices = cloud.Devices();
    ASSERT_EQ(devices.size(), 2u);
    EXPECT_EQ(devices[0].mac, FakeMarstekCloud::kBatteryMac);
    EXPECT_EQ(devices[1].devid, mac);
    EXPECT_EQ(devices[1].mac, mac);
    EXPECT_EQ(devices[1].type, "HME-3");
    EXPECT_EQ(devices[1].bluetooth_name, CtBluetoothName(mac));
    EXPECT_EQ(devices[1].version, "121");
    EXPECT_FALSE(devices[1].name.empty());
}

TEST(MarstekCloudTest, AWrongPasswordIsARefusedLogin) {
    FakeMarstekCloud cloud(kEmail, "another password");
    MarstekCloudError error = FailureOf(cloud.Url(), kPassword);
    EXPECT_EQ(error.GetReason(), Reason::LoginRefused);
    EXPECT_STREQ(error.what(), "the Marstek cloud refused the login: The password is incorrect");
    EXPECT_EQ(cloud.AddRequests(), 0);
    ExpectNoSecret(error);
}

TEST(MarstekCloudTest, AMeterThatIsNotListedAfterwardsIsAFailure) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    cloud.SetMode(FakeMarstekCloud::Mode::AddNotListed);
    MarstekCloudError error = FailureOf(cloud.Url(), kPassword);
    EXPECT_EQ(error.GetReason(), Reason::NotListed);
    EXPECT_EQ(cloud.AddRequests(), 1);
    std::string message = error.what();
    EXPECT_NE(message.find("does not list the new meter 02b250"), std::string::npos) << message;
    EXPECT_NE(message.find("(it answered \"add success\")"), std::string::npos) << message;
    ExpectNoSecret(error);
}

TEST(MarstekCloudTest, AServerErrorNamesTheStatus) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    cloud.SetMode(FakeMarstekCloud::Mode::ServerError);
    MarstekCloudError error = FailureOf(cloud.Url(), kPassword);
    EXPECT_EQ(error.GetReason(), Reason::Server);
    EXPECT_STREQ(error.what(), "the Marstek cloud answered HTTP 500 to the login");
    ExpectNoSecret(error);
}

TEST(MarstekCloudTest, NoAnswerNamesTheHost) {
    // Port 1 on loopback: nothing listens there.
    MarstekCloudError error = FailureOf("http://127.0.0.1:1", kPassword);
    EXPECT_EQ(error.GetReason(), Reason::Unreachable);
    EXPECT_STREQ(error.what(), "cannot reach the Marstek cloud at 127.0.0.1: connection refused");
    ExpectNoSecret(error);
}

TEST(MarstekCloudTest, RefusesABadUrlOrTypeBeforeAnyRequest) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    HttpClient http = NewClient();
    EXPECT_THROW(CreateManagedCt(http, cloud.Url(), {kEmail, kPassword}, "HME-5"),
                 std::invalid_argument);
    EXPECT_THROW(CreateManagedCt(http, "http://example.com", {kEmail, kPassword}, kCt002Type),
                 std::invalid_argument);
    EXPECT_EQ(cloud.Logins(), 0);
}

} // namespace
} // namespace meteremu::marstek
