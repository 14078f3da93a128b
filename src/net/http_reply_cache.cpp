// SPDX-License-Identifier: MIT
#include "net/http_reply_cache.hpp"

#include <cstring>
#include <utility>

namespace meteremu {

HttpReplyKey::HttpReplyKey(MHD_Connection* connection, std::string_view method,
                           std::string_view url) {
    // The first "?" must end the path, or a path with an encoded "?", "&" or "=" could read
    // as another path with other arguments: such requests are not kept.
    if (url.find_first_of("?&=") != std::string_view::npos) {
        fits_ = false;
        return;
    }
    Append(method);
    Append(" ");
    Append(url);
    Append("?");
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &HttpReplyKey::AddArgument, this);
}

/// Arguments in request order, "key=value&" each; a value-less "?flag" is "flag&". A "&" or
/// "=" inside a decoded key or value could make two requests look alike: such requests are
/// not kept.
MHD_Result HttpReplyKey::AddArgument(void* self, MHD_ValueKind, const char* key,
                                     const char* value) noexcept {
    auto& built = *static_cast<HttpReplyKey*>(self);
    for (const char* part : {key, value})
        if (part && std::strpbrk(part, "&=")) built.fits_ = false;
    built.Append(key);
    if (value) {
        built.Append("=");
        built.Append(value);
    }
    built.Append("&");
    return built.fits_ ? MHD_YES : MHD_NO;
}

void HttpReplyKey::Append(std::string_view part) noexcept {
    if (part.size() > text_.size() - size_) {
        fits_ = false;
        return;
    }
    std::memcpy(text_.data() + size_, part.data(), part.size());
    size_ += part.size();
}

void HttpReplyCache::Store(std::string_view key, ReplyEpoch epoch, const HttpKeptFacts& facts,
                           MhdResponsePtr response) {
    MhdResponsePtr replaced; // destroyed after the lock is released
    std::lock_guard lock(mutex_);
    cache_.Keep(key, epoch, [&](Kept& kept) {
        kept.facts = facts;
        replaced = std::exchange(kept.response, std::move(response));
    });
}

} // namespace meteremu
