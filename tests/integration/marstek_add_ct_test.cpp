// SPDX-License-Identifier: MIT
// `meteremu marstek-add-ct` as a person runs it, the e-mail and password piped on stdin,
// against a fake of the Marstek cloud on loopback (docs/protocols/marstek-cloud.md): the
// lines to paste, the meter in the account, the failures' exit status and line, and never
// the password on stdout or stderr.
#include "fakes/fake_marstek_cloud.hpp"
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace meteremu::test {
namespace {

constexpr const char* kEmail = "j+meter@example.com";
constexpr const char* kPassword = "Pa55 w0rd&more";
constexpr int kExitUsage = 64;

/// meteremu marstek-add-ct `options`, with `input` on its stdin through a pipe.
RunResult AddCt(const std::string& input, std::vector<std::string> options) {
    TempDir dir;
    auto answers = dir.Write("answers", input);
    std::vector<std::string> command = {
        "/bin/sh",       "-c", "cat \"$0\" | exec \"$@\"", answers.string(), METEREMU_BINARY,
        "marstek-add-ct"};
    command.insert(command.end(), options.begin(), options.end());
    return RunProgram(std::move(command));
}

std::string Answers(const std::string& password = kPassword) {
    return std::string(kEmail) + "\n" + password + "\n";
}

void ExpectNoPassword(const RunResult& run) {
    EXPECT_EQ(run.out.find(kPassword), std::string::npos);
    EXPECT_EQ(run.err.find(kPassword), std::string::npos);
    EXPECT_EQ(run.out.find(kEmail), std::string::npos); // not even the address, unmasked
}

TEST(MarstekAddCtTest, CreatesACt002AndPrintsTheLinesToPaste) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    RunResult run = AddCt(Answers(), {"--api-url", cloud.Url()});
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(run.out, match,
                                  std::regex("Created a CT002 meter (02b250[0-9a-f]{6}) in the "
                                             "Marstek account\\.\n")))
        << run.out;
    std::string mac = match[1];
    EXPECT_NE(run.out.find("\n\n[[frontend]]\ntype = \"ct002\"\nct_mac = \"" + mac + "\"\n\n"),
              std::string::npos)
        << run.out;
    EXPECT_EQ(run.out.find("ct_type"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("offline"), std::string::npos) << run.out;
    auto devices = cloud.Devices();
    ASSERT_EQ(devices.size(), 2u);
    EXPECT_EQ(devices[1].mac, mac);
    EXPECT_EQ(devices[1].type, "HME-4");
    ExpectNoPassword(run);
}

TEST(MarstekAddCtTest, CreatesACt003WithItsType) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    RunResult run = AddCt(Answers(), {"--ct-type=HME-3", "--api-url=" + cloud.Url()});
    ASSERT_EQ(run.status, 0) << run.out << run.err;
    auto devices = cloud.Devices();
    ASSERT_EQ(devices.size(), 2u);
    EXPECT_EQ(devices[1].type, "HME-3");
    EXPECT_NE(run.out.find("Created a CT003 meter " + devices[1].mac), std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("ct_mac = \"" + devices[1].mac + "\"\nct_type = \"HME-3\"\n"),
              std::string::npos)
        << run.out;
    ExpectNoPassword(run);
}

TEST(MarstekAddCtTest, AWrongPasswordExits1WithTheCloudsReason) {
    FakeMarstekCloud cloud(kEmail, "the right one");
    RunResult run = AddCt(Answers(), {"--api-url", cloud.Url()});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "meteremu marstek-add-ct: the Marstek cloud refused the login: "
                       "The password is incorrect\n");
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(cloud.AddRequests(), 0);
    ExpectNoPassword(run);
}

TEST(MarstekAddCtTest, AMeterNotListedAfterwardsExits1) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    cloud.SetMode(FakeMarstekCloud::Mode::AddNotListed);
    RunResult run = AddCt(Answers(), {"--api-url", cloud.Url()});
    EXPECT_EQ(run.status, 1);
    EXPECT_TRUE(
        std::regex_match(run.err, std::regex("meteremu marstek-add-ct: the Marstek cloud "
                                             "does not list the new meter 02b250[0-9a-f]{6} "
                                             "after adding it, .*\n")))
        << run.err;
    EXPECT_EQ(run.out, "");
    ExpectNoPassword(run);
}

TEST(MarstekAddCtTest, AServerErrorExits1) {
    FakeMarstekCloud cloud(kEmail, kPassword);
    cloud.SetMode(FakeMarstekCloud::Mode::ServerError);
    RunResult run = AddCt(Answers(), {"--api-url", cloud.Url()});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err,
              "meteremu marstek-add-ct: the Marstek cloud answered HTTP 500 to the login\n");
    ExpectNoPassword(run);
}

TEST(MarstekAddCtTest, NoCloudExits1NamingTheHost) {
    RunResult run = AddCt(Answers(), {"--api-url", "http://127.0.0.1:1"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "meteremu marstek-add-ct: cannot reach the Marstek cloud at 127.0.0.1: "
                       "connection refused\n");
    ExpectNoPassword(run);
}

TEST(MarstekAddCtTest, NoAnswersExits1) {
    RunResult run = AddCt("", {"--api-url", "http://127.0.0.1:1"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "meteremu marstek-add-ct: no e-mail address or password given\n");
}

TEST(MarstekAddCtTest, UsageErrorsExit64) {
    RunResult run = AddCt(Answers(), {"--api-url", "http://example.com"});
    EXPECT_EQ(run.status, kExitUsage);
    EXPECT_NE(run.err.find("--api-url: "), std::string::npos) << run.err;
    run = AddCt(Answers(), {"--ct-type", "CT002"});
    EXPECT_EQ(run.status, kExitUsage);
    EXPECT_NE(run.err.find("--ct-type: unknown type 'CT002'"), std::string::npos) << run.err;
    run = AddCt(Answers(), {"--demo"});
    EXPECT_EQ(run.status, kExitUsage);
    run = RunProgram({METEREMU_BINARY, "--ct-type=HME-3"});
    EXPECT_EQ(run.status, kExitUsage);
    EXPECT_NE(run.err.find("go with marstek-add-ct only"), std::string::npos) << run.err;
}

} // namespace
} // namespace meteremu::test
