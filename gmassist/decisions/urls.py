from django.urls import path

from gmassist.decisions import views

app_name = "decisions"

urlpatterns = [
    path("<int:pk>/", views.decision_detail, name="detail"),
]
