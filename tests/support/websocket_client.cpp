// SPDX-License-Identifier: MIT
#include "support/websocket_client.hpp"

#include "support/tcp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>

namespace meteremu::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kMask[4] = {0x37, static_cast<char>(0xfa), 0x21, 0x3d};
constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3's sample key

void SendOrThrow(int fd, std::string_view bytes) {
    if (!SendAll(fd, bytes)) throw std::runtime_error("send failed");
}

int MillisecondsLeft(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

} // namespace

std::string ClientFrame(websocket::Opcode opcode, std::string_view payload, bool fin, bool masked,
                        std::uint8_t first_byte_extra) {
    std::string frame;
    frame += static_cast<char>((fin ? 0x80 : 0) | first_byte_extra | static_cast<int>(opcode));
    std::uint8_t mask_bit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        frame += static_cast<char>(mask_bit | payload.size());
    } else if (payload.size() <= 0xFFFF) {
        frame += static_cast<char>(mask_bit | 126);
        frame += static_cast<char>(payload.size() >> 8);
        frame += static_cast<char>(payload.size() & 0xFF);
    } else {
        frame += static_cast<char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame +=
                static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF);
    }
    if (!masked) return frame + std::string(payload);
    frame.append(kMask, 4);
    for (size_t i = 0; i < payload.size(); ++i)
        frame += static_cast<char>(payload[i] ^ kMask[i % 4]);
    return frame;
}

std::uint16_t ServerFrame::CloseCode() const {
    if (payload.size() < 2) return websocket::close_code::kNoStatus;
    return static_cast<std::uint16_t>(static_cast<std::uint8_t>(payload[0]) << 8 |
                                      static_cast<std::uint8_t>(payload[1]));
}

WebSocketClient::WebSocketClient(std::uint16_t port, const std::string& path,
                                 const std::string& source)
    : fd_(ConnectFrom(source, port)) {
    SendOrThrow(fd_.Get(), "GET " + path +
                               " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Key: " +
                               kKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (buffer_.find("\r\n\r\n") == std::string::npos)
        if (!Fill(deadline)) throw std::runtime_error("no handshake response: " + buffer_);
    size_t end = buffer_.find("\r\n\r\n") + 4;
    handshake_ = buffer_.substr(0, end);
    buffer_.erase(0, end);
    if (!handshake_.starts_with("HTTP/1.1 101 ") ||
        handshake_.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") ==
            std::string::npos)
        throw std::runtime_error("bad handshake response:\n" + handshake_);
}

void WebSocketClient::SendRaw(const std::string& bytes) {
    SendOrThrow(fd_.Get(), bytes);
}

bool WebSocketClient::Fill(Clock::time_point deadline) {
    if (eof_) return false;
    pollfd ready{fd_.Get(), POLLIN, 0};
    if (poll(&ready, 1, MillisecondsLeft(deadline)) <= 0) return false;
    char chunk[16384];
    ssize_t size = recv(fd_.Get(), chunk, sizeof chunk, 0);
    if (size <= 0) {
        eof_ = true;
        return false;
    }
    buffer_.append(chunk, static_cast<size_t>(size));
    return true;
}

std::optional<ServerFrame> WebSocketClient::Read(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (buffer_.size() >= 2) {
            auto second = static_cast<std::uint8_t>(buffer_[1]);
            size_t length = second & 0x7F, header = 2;
            if (length == 126 && buffer_.size() >= 4) {
                length = static_cast<std::uint8_t>(buffer_[2]) << 8 |
                         static_cast<std::uint8_t>(buffer_[3]);
                header = 4;
            } else if (length == 127 && buffer_.size() >= 10) {
                length = 0;
                for (int i = 2; i < 10; ++i)
                    length = length << 8 | static_cast<std::uint8_t>(buffer_[i]);
                header = 10;
            }
            bool complete = (length < 126 || header > 2) && buffer_.size() >= header + length;
            if (complete) {
                auto first = static_cast<std::uint8_t>(buffer_[0]);
                ServerFrame frame{(first & 0x80) != 0, static_cast<websocket::Opcode>(first & 0x0F),
                                  buffer_.substr(header, length), (second & 0x80) != 0};
                buffer_.erase(0, header + length);
                return frame;
            }
        }
        if (!Fill(deadline)) return std::nullopt;
    }
}

std::optional<std::string> WebSocketClient::ReadText(std::chrono::milliseconds timeout) {
    auto frame = Read(timeout);
    if (!frame || frame->opcode != websocket::Opcode::Text) return std::nullopt;
    return frame->payload;
}

bool WebSocketClient::ClosedByServer(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Fill(deadline)) {
    }
    return eof_;
}

std::string RawHttpExchange(std::uint16_t port, const std::string& request,
                            std::chrono::milliseconds timeout) {
    UniqueFd fd = ConnectFrom("", port);
    SendOrThrow(fd.Get(), request);
    auto deadline = Clock::now() + timeout;
    std::string answer;
    char chunk[4096];
    pollfd ready{fd.Get(), POLLIN, 0};
    while (poll(&ready, 1, MillisecondsLeft(deadline)) > 0) {
        ssize_t size = recv(fd.Get(), chunk, sizeof chunk, 0);
        if (size <= 0) break;
        answer.append(chunk, static_cast<size_t>(size));
    }
    return answer;
}

} // namespace meteremu::test
