from apps.consumers.runner import main

main()
