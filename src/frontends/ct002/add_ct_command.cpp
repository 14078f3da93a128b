// SPDX-License-Identifier: MIT
#include "frontends/ct002/add_ct_command.hpp"

#include "frontends/ct002/marstek_cloud.hpp"
#include "net/http_client.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <termios.h>
#include <unistd.h>

namespace meteremu::marstek {
namespace {

termios saved_terminal{};
volatile std::sig_atomic_t echo_is_off = 0;

/// A signal while the password is asked for: echo back on, then die of the signal as usual.
extern "C" void RestoreEchoAndDie(int signal) {
    if (echo_is_off) tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

/// Echo off on the terminal on stdin while it lives (nothing when stdin is no terminal).
class EchoOff {
public:
    EchoOff() {
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
        std::signal(SIGINT, RestoreEchoAndDie);
        std::signal(SIGTERM, RestoreEchoAndDie);
        termios quiet = saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        echo_is_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0 ? 1 : 0;
    }
    ~EchoOff() {
        if (!echo_is_off) return;
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
        echo_is_off = 0;
        std::fputc('\n', stderr); // the Enter that was not echoed
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
};

/// Reads one line of stdin, asking on stderr when it is a terminal (scripts and tests pipe
/// the answers in); "" at the end of the input.
std::string Ask(const char* prompt, bool secret) {
    if (isatty(STDIN_FILENO)) {
        std::fprintf(stderr, "%s ", prompt);
        std::fflush(stderr);
    }
    std::optional<EchoOff> quiet;
    if (secret) quiet.emplace();
    std::string line;
    line.reserve(256); // one buffer for any sane password: wiping it leaves no copy behind
    for (int c = std::getchar(); c != EOF && c != '\n'; c = std::getchar())
        line += static_cast<char>(c);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

/// Wipes a password's bytes when the command ends, however it ends.
class WipeOnExit {
public:
    explicit WipeOnExit(std::string& secret) : secret_(secret) {}
    ~WipeOnExit() { explicit_bzero(secret_.data(), secret_.size()); }
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;

private:
    std::string& secret_;
};

void PrintNewMeter(const std::string& mac, const std::string& ct_type, const char* config_file) {
    bool ct003 = ct_type == kCt003Type;
    std::printf("Created a %s meter %s in the Marstek account.\n"
                "Add to %s:\n\n"
                "[[frontend]]\ntype = \"ct002\"\nct_mac = \"%s\"\n%s\n"
                "The app shows this meter offline: meteremu answers the battery on the LAN,\n"
                "not the cloud. In the Marstek app, set the battery to use this meter.\n",
                ct003 ? "CT003" : "CT002", mac.c_str(), config_file, mac.c_str(),
                ct003 ? "ct_type = \"HME-3\"\n" : "");
}

} // namespace

int RunAddCtCommand(std::string api_url, const std::string& ct_type, const char* config_file) {
    if (api_url.empty()) api_url = kDefaultApiUrl;
    CheckApiUrl(api_url);
    MarstekAccount account;
    WipeOnExit wipe(account.password);
    account.email = Ask("Marstek account e-mail:", false);
    account.password = Ask("Password:", true);
    if (account.email.empty() || account.password.empty()) {
        std::fputs("meteremu marstek-add-ct: no e-mail address or password given\n", stderr);
        return EXIT_FAILURE;
    }
    HttpClientOptions options;
    options.connect_timeout = Seconds{10.0}; // the Internet, not the LAN
    HttpClient http(options);
    try {
        std::string mac = CreateManagedCt(http, api_url, account, ct_type);
        PrintNewMeter(mac, ct_type, config_file);
        return EXIT_SUCCESS;
    } catch (const MarstekCloudError& error) {
        std::fprintf(stderr, "meteremu marstek-add-ct: %s\n", error.what());
        return EXIT_FAILURE;
    }
}

} // namespace meteremu::marstek
