"""The signed-in user read from a cache shared by every worker, not from the database on each request.

Only with a shared cache (AUTH_USER_CACHE_TIMEOUT > 0, set when REDIS_URL is): a save or delete of
the user drops the copy, and a per-process cache could not drop the other workers' copies. The
session's auth hash is still checked against the (fresh) user's password on every request. With
prepsite.sessions the copy comes in the same round trip as the session.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, _get_user_session_key, load_backend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


def _key(backend_path: str, user_id) -> str:
    return f"auth-user:{backend_path}:{user_id}"


# Which user copy each session named, as this worker last saw: prepsite.sessions fetches it with the session.
_session_users: dict[str, str] = {}
SESSIONS_REMEMBERED = 10_000


def user_key_of_session(session_key: str | None) -> str | None:
    return _session_users.get(session_key) if session_key else None


def _backend_user(backend_path: str, user_id, session):
    timeout = settings.AUTH_USER_CACHE_TIMEOUT
    if not timeout:
        return load_backend(backend_path).get_user(user_id)
    key = _key(backend_path, user_id)
    prefetched = getattr(session, "prefetched", None)
    user = prefetched[1] if prefetched is not None and prefetched[0] == key else cache.get(key)
    if session.session_key:
        if len(_session_users) >= SESSIONS_REMEMBERED:
            _session_users.clear()
        _session_users[session.session_key] = key
    if user is None:
        user = load_backend(backend_path).get_user(user_id)
        if user is not None:  # an inactive or deleted user is asked again next time
            cache.set(key, user, timeout)
    return user


def get_user(request):
    """django.contrib.auth.get_user with the backend's lookup cached; the session is verified the same way."""
    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            user = _backend_user(backend_path, user_id, request.session)
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                verified = bool(session_hash) and constant_time_compare(session_hash, user.get_session_auth_hash())
                if not verified:
                    if session_hash and any(constant_time_compare(session_hash, fallback)
                                            for fallback in user.get_session_auth_fallback_hash()):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def forget_user(sender, instance, **kwargs) -> None:
    """post_save / post_delete of the user model: every backend's copy goes."""
    if settings.AUTH_USER_CACHE_TIMEOUT:
        cache.delete_many([_key(path, instance.pk) for path in settings.AUTHENTICATION_BACKENDS])


def _lazy_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    # Once read, the user itself: each later request.user.x skips the lazy wrapper (dozens per page).
    request.user = request._cached_user
    return request._cached_user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))
