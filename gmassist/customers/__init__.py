"""Group (B2B) customers: tiering, account-manager matching, service channels and churn risk."""
