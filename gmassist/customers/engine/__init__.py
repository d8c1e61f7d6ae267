"""Pure engines of the customers app (no Django import): tiering and account-manager matching."""
