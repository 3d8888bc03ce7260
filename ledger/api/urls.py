from rest_framework.routers import SimpleRouter

from ledger.api import views

app_name = "ledger-api"

# Under /api/v1/ledger/… so that "accounts" is not confused with user accounts.
router = SimpleRouter()
router.register("ledger/accounts", views.AccountViewSet, basename="account")
router.register("ledger/entries", views.JournalEntryViewSet, basename="entry")
router.register("ledger/trial-balance", views.TrialBalanceViewSet, basename="trial-balance")
router.register("ledger/balances", views.BalancesViewSet, basename="balances")

urlpatterns = router.urls
