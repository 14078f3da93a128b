// SPDX-License-Identifier: MIT
// The fake Envoy as a program, for fault matrices and benchmarks run from scripts:
//   fake_envoy --fixtures DIR [--port N] [--tls CERT KEY] [--control-port N] [--token JWT]...
// prints "port=<p> control=<c>" once it listens, then serves until SIGINT or SIGTERM. Faults
// are switched through the control port (plain HTTP on 127.0.0.1):
//   /fault?kind=hang|delay|401|403|503|502|html|truncated|reset[&path=/ivp/meters/readings]
//          [&delay_ms=2000][&count=3]
//   /clear   /down   /up   /folder?dir=DIR   /forget-sessions   /stats (JSON counters)
#include "fakes/fake_envoy.hpp"
#include "support/temp_dir.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>

namespace {

using namespace meteremu::test;

FakeReply Text(unsigned status, std::string body) {
    FakeReply reply;
    reply.status = status;
    reply.body = std::move(body) + "\n";
    reply.content_type = status == 200 && reply.body[0] == '{' ? "application/json" : "text/plain";
    return reply;
}

FakeReply SetFault(FakeEnvoy& envoy, std::map<std::string, std::string>& arguments) {
    auto kind = ParseFaultKind(arguments["kind"]);
    if (!kind) return Text(400, "unknown fault kind");
    Fault fault;
    fault.kind = *kind;
    fault.path = arguments["path"];
    if (!arguments["delay_ms"].empty())
        fault.delay = std::chrono::milliseconds(std::stoll(arguments["delay_ms"]));
    if (!arguments["count"].empty()) fault.count = std::stoi(arguments["count"]);
    envoy.SetFault(fault);
    return Text(200, "ok");
}

FakeReply Control(FakeEnvoy& envoy, const FakeRequest& request) {
    auto arguments = ParseForm(request.query);
    if (request.path == "/fault") return SetFault(envoy, arguments);
    if (request.path == "/clear")
        envoy.ClearFault();
    else if (request.path == "/down")
        envoy.SetDown(true);
    else if (request.path == "/up")
        envoy.SetDown(false);
    else if (request.path == "/folder")
        envoy.SetFolder(arguments["dir"]);
    else if (request.path == "/forget-sessions")
        envoy.ForgetSessions();
    else if (request.path == "/stats")
        return Text(200, envoy.StatsJson());
    else
        return Text(404, "unknown control path");
    return Text(200, "ok");
}

int Usage() {
    std::fprintf(stderr, "usage: fake_envoy --fixtures DIR [--port N] [--tls CERT KEY] "
                         "[--control-port N] [--token JWT]...\n");
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    FakeEnvoyOptions options;
    std::uint16_t control_port = 0;
    try {
        for (int i = 1; i < argc; ++i) {
            std::string_view argument = argv[i];
            bool has_value = i + 1 < argc;
            if (argument == "--fixtures" && has_value)
                options.folder = argv[++i];
            else if (argument == "--port" && has_value)
                options.port = static_cast<std::uint16_t>(std::stoi(argv[++i]));
            else if (argument == "--control-port" && has_value)
                control_port = static_cast<std::uint16_t>(std::stoi(argv[++i]));
            else if (argument == "--token" && has_value)
                options.tokens.insert(argv[++i]);
            else if (argument == "--tls" && i + 2 < argc) {
                options.tls = TlsMaterial{ReadFile(argv[i + 1]), ReadFile(argv[i + 2])};
                i += 2;
            } else
                return Usage();
        }
        if (options.folder.empty()) return Usage();
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr); // before the servers start their threads
        FakeEnvoy envoy(options);
        FakeServer control([&envoy](const FakeRequest& request) { return Control(envoy, request); },
                           control_port);
        std::printf("port=%u control=%u\n", envoy.Port(), control.Port());
        std::fflush(stdout);
        int signal = 0;
        sigwait(&signals, &signal);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fake_envoy: %s\n", error.what());
        return 1;
    }
}
