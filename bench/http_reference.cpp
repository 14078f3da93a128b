// SPDX-License-Identifier: MIT
// The bare reference of the HTTP benchmark: the ceiling of what meteremu's HTTP stack can do,
// and the floor of its memory. It links and initialises the libraries the daemon does
// (libcurl with an easy handle, libmicrohttpd, jansson, the Avahi client on its threaded poll,
// libsystemd) and answers every request with the same bytes and headers meteremu sends, from
// one response built once, on libmicrohttpd configured exactly as net/http_server.cpp does
// (same flags, thread count and numbers). What meteremu adds on top of this is its own cost:
// rendering, the reply cache, the connection gate (allow list, per-address counts, request
// deadlines), the client tracker.
//   bench_http_reference --body FILE [--port N] [--threads N] [--connections N]
//                        [--memory BYTES] [--timeout S] [--server NAME]
// Prints "port=<p>" once it serves; stops on SIGTERM or SIGINT.
#include "bench_util.hpp"

#include <avahi-client/client.h>
#include <avahi-common/thread-watch.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <systemd/sd-daemon.h>

#include <csignal>
#include <unistd.h>

namespace {

using namespace meteremu::bench;

struct Reference {
    MHD_Response* response = nullptr;
};

char no_body_marker;

/// Answers on the second call like net/http_server.cpp does (answering on the first one
/// would close kept-alive connections after the reply).
MHD_Result OnRequest(void* self, MHD_Connection* connection, const char*, const char*, const char*,
                     const char*, size_t*, void** state) noexcept {
    if (!*state) {
        *state = &no_body_marker;
        return MHD_YES;
    }
    return MHD_queue_response(connection, MHD_HTTP_OK, static_cast<Reference*>(self)->response);
}

void OnCompleted(void*, MHD_Connection*, void** state, MHD_RequestTerminationCode) noexcept {
    *state = nullptr;
}

void OnAvahiClient(AvahiClient*, AvahiClientState, void*) noexcept {}

struct MhdSettings {
    unsigned threads = 1;
    unsigned connections = 296;
    size_t memory = 24 * 1024;
    unsigned timeout = 30;
};

/// The same daemon flags and options as meteremu's HttpServer; the numbers are the ones its
/// log line "libmicrohttpd: ..." tells, passed in by bench/run_bench.py.
MHD_Daemon* StartMhd(int listen_fd, const MhdSettings& settings, Reference& reference) {
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
    return MHD_start_daemon(
        flags, 0, nullptr, nullptr, &OnRequest, &reference, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_NOTIFY_COMPLETED, &OnCompleted, nullptr, MHD_OPTION_CONNECTION_LIMIT,
        settings.connections, MHD_OPTION_CONNECTION_TIMEOUT, settings.timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, settings.memory, MHD_OPTION_THREAD_POOL_SIZE,
        settings.threads > 1 ? settings.threads : 0u, MHD_OPTION_END);
}

} // namespace

int main(int argc, char** argv) try {
    std::string body_path = Option(argc, argv, "--body", "");
    if (body_path.empty()) {
        std::fprintf(stderr, "usage: bench_http_reference --body FILE [--port N] [--threads N] "
                             "[--server NAME]\n");
        return 64;
    }
    std::string body = ReadFile(body_path);
    std::string server = Option(argc, argv, "--server", "ShellyHTTP/1.0.0");
    MhdSettings settings;
    settings.threads = static_cast<unsigned>(NumberOption(argc, argv, "--threads", 1));
    settings.connections = static_cast<unsigned>(NumberOption(argc, argv, "--connections", 296));
    settings.memory = static_cast<size_t>(NumberOption(argc, argv, "--memory", 24 * 1024));
    settings.timeout = static_cast<unsigned>(NumberOption(argc, argv, "--timeout", 30));

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // Everything the daemon initialises before it serves.
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL* curl = curl_easy_init();
    json_error_t json_error;
    json_t* parsed = json_loadb(body.data(), body.size(), 0, &json_error);
    sd_listen_fds(1);
    AvahiThreadedPoll* poll = avahi_threaded_poll_new();
    int avahi_error = 0;
    AvahiClient* avahi = avahi_client_new(avahi_threaded_poll_get(poll), AVAHI_CLIENT_NO_FAIL,
                                          &OnAvahiClient, nullptr, &avahi_error);
    avahi_threaded_poll_start(poll);

    Reference reference;
    reference.response =
        MHD_create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(reference.response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    // --server "": no Server header, as the EcoTracker sends none.
    if (!server.empty()) MHD_add_response_header(reference.response, "Server", server.c_str());

    int listen_fd =
        BoundSocket(SOCK_STREAM, static_cast<std::uint16_t>(NumberOption(argc, argv, "--port", 0)));
    if (listen(listen_fd, SOMAXCONN)) throw std::runtime_error("listen failed");
    std::uint16_t port = BoundPort(listen_fd);
    MHD_Daemon* daemon = StartMhd(listen_fd, settings, reference);
    if (!daemon) throw std::runtime_error("libmicrohttpd did not start");
    sd_notify(0, "READY=1");
    std::printf("port=%u\n", port);
    std::fflush(stdout);

    int signal = 0;
    sigwait(&signals, &signal);
    MHD_stop_daemon(daemon);
    MHD_destroy_response(reference.response);
    avahi_threaded_poll_stop(poll);
    if (avahi) avahi_client_free(avahi);
    avahi_threaded_poll_free(poll);
    json_decref(parsed);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "bench_http_reference: %s\n", error.what());
    return 1;
}
