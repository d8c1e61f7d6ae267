"""The talent analyses: pure numpy / pandas / scikit-learn, no Django import."""
