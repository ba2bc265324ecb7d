from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from newsreader import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("newsreader.api_urls")),
    path("account/tokens/", views.tokens, name="account-tokens"),
    # Log in and out, and change one's password. No reset by email: Newsreader sends no mail;
    # an admin sets a new password in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("annotate/", include("annotations.urls")),
    path("", include("articles.urls")),
]

handler400 = "newsreader.errors.bad_request"
handler404 = "newsreader.errors.not_found"
handler500 = "newsreader.errors.server_error"
