from django.urls import include, path

from articles import views

urlpatterns = [
    path("", views.article_list, name="articles-list"),
    path("articles/<int:article_id>/", views.article_detail, name="articles-detail"),
    path("upload/", views.upload, name="articles-upload"),
    path("batches/", views.batch_list, name="articles-batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="articles-batch"),
    path("review/", include("articles.review_urls")),
]
