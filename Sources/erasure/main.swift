print("erasure")
