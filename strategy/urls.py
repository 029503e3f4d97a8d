from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/versions/<int:number>/read/", views.read_beacon, name="read_beacon"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    path("<int:pk>/discussion/", views.discussion, name="discussion"),
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/phase/", views.transition, name="transition"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    path("points/<int:pk>/vote/", views.vote, name="vote"),
    path("points/<int:pk>/reply/", views.reply, name="reply"),
    path("points/<int:pk>/disposition/", views.dispose, name="dispose"),
]
