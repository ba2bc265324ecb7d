from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("newsreader.api_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("annotate/", include("annotations.urls")),
    path("", include("articles.urls")),
]
