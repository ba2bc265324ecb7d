from __future__ import annotations

from django.urls import path

from articles import review_views as views

urlpatterns = [
    path("", views.review_queue, name="articles-review-queue"),
    path("bulk/", views.review_bulk, name="articles-review-bulk"),
    path("<int:article_id>/", views.review_detail, name="articles-review"),
    path("<int:article_id>/lines/", views.review_lines, name="articles-review-lines"),
    path("<int:article_id>/cut/", views.review_cut, name="articles-review-cut"),
    path("<int:article_id>/title/", views.review_title, name="articles-review-title"),
    path("<int:article_id>/byline/", views.review_byline, name="articles-review-byline"),
    path("<int:article_id>/undo/", views.review_undo, name="articles-review-undo"),
    path("<int:article_id>/approve/", views.review_approve, name="articles-review-approve"),
    path("<int:article_id>/reject/", views.review_reject, name="articles-review-reject"),
    path("<int:article_id>/reclean/", views.review_reclean, name="articles-review-reclean"),
    path("<int:article_id>/next/", views.review_next, name="articles-review-next"),
]
