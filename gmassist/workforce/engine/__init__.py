"""The workforce plan's maths: supply, demand, gaps and the backtest. Pure: numpy and pandas,
no Django import; inputs and outputs are plain data (frames, dataclasses)."""
