"""cached_db sessions that also fetch the signed-in user's shared copy (prepsite.auth) in the same round trip.

A worker remembers which user copy each session it has seen names; on that session's next request,
both come in one get_many. prepsite.auth uses the copy only if the session still names it.
"""

from django.contrib.sessions.backends import cached_db

from . import auth


class SessionStore(cached_db.SessionStore):
    prefetched = None  # (the user copy's key, the copy or None)

    def load(self):
        user_key = auth.user_key_of_session(self.session_key)
        if user_key is None:
            return super().load()
        try:
            found = self._cache.get_many([self.cache_key, user_key])
        except Exception:  # as cached_db's own load: an unusable key reads as a miss
            found = {}
        self.prefetched = (user_key, found.get(user_key))
        data = found.get(self.cache_key)
        return data if data is not None else super().load()
