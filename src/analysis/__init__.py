"""Reference data package for Vietnam's Đề án 06."""
