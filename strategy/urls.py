from django.urls import path

from strategy import assumption_views, owner_views, record_views, review_views, views

app_name = "strategy"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", owner_views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", owner_views.edit, name="edit"),
    path("<int:pk>/publish/", owner_views.publish, name="publish"),
    path("<int:pk>/attachments/", owner_views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/versions/<int:number>/read/", views.read_beacon, name="read_beacon"),
    path("<int:pk>/feedback/", views.feedback_page, name="feedback"),
    path("<int:pk>/discussion/", views.discussion, name="discussion"),
    path("<int:pk>/dashboard/", owner_views.dashboard, name="dashboard"),
    path("<int:pk>/phase/", owner_views.transition, name="transition"),
    path("<int:pk>/diff/", record_views.diff, name="diff"),
    path("<int:pk>/you-said-we-did/", record_views.you_said_we_did, name="you_said_we_did"),
    path("<int:pk>/assumptions/", assumption_views.register, name="assumptions"),
    path("<int:pk>/disagreement/", review_views.disagreement, name="disagreement"),
    path("<int:pk>/assumptions/add/", assumption_views.add, name="assumption_add"),
    path(
        "assumptions/<uuid:public_id>/remove/",
        assumption_views.remove,
        name="assumption_remove",
    ),
    path("assumptions/<uuid:public_id>/rate/", assumption_views.rate, name="assumption_rate"),
    path("points/<uuid:pk>/vote/", views.vote, name="vote"),
    path("points/<uuid:pk>/reply/", views.reply, name="reply"),
    path("points/<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("points/<uuid:pk>/disposition/", owner_views.dispose, name="dispose"),
]
