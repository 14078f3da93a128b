// SPDX-License-Identifier: MIT
// The RpcHandler every server calls: it forwards to the current frontend, which a reload
// (SIGHUP) can replace while the servers keep their sockets and run on. A call in flight
// finishes on the handler it started with.
#pragma once

#include "net/rpc.hpp"

#include <list>
#include <memory>
#include <mutex>

namespace meteremu {

class RpcHandlerSlot final : public RpcHandler {
public:
    explicit RpcHandlerSlot(std::shared_ptr<RpcHandler> handler) { Replace(std::move(handler)); }

    /// Makes `handler` (not null) answer every call from now on.
    void Replace(std::shared_ptr<RpcHandler> handler);

    std::shared_ptr<RpcHandler> Current() const;

    RpcOutcome Call(const RpcCall& call) noexcept override { return Current()->Call(call); }

    /// Stays valid after a Replace: the slot keeps every id it has served.
    std::string_view SourceId() const noexcept override;

    std::optional<RpcNotification> ReadingNotification() noexcept override {
        return Current()->ReadingNotification();
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<RpcHandler> handler_;
    std::list<std::string> source_ids_; ///< a new entry only when a reload changes the id
};

} // namespace meteremu
