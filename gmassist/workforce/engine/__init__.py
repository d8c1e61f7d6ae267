"""The workforce plan's maths: supply, demand, gaps and the backtest. Pure: numpy, pandas and
lifelines, no Django import; inputs and outputs are plain data (frames, dataclasses)."""
