from relcal.launch import main

main()
