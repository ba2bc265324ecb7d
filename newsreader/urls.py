from django.contrib import admin
from django.urls import include, path

from newsreader import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("newsreader.api_urls")),
    path("account/tokens/", views.tokens, name="account-tokens"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("annotate/", include("annotations.urls")),
    path("", include("articles.urls")),
]

handler404 = "newsreader.errors.not_found"
handler500 = "newsreader.errors.server_error"
